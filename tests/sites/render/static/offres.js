// A Vue-style widget: the page's chrome is served as HTML, the job list is drawn into #app from
// the JSON the script fetches.
document.addEventListener("DOMContentLoaded", function () {
  var app = document.getElementById("app");
  fetch("/api/offres.json")
    .then(function (answer) { return answer.json(); })
    .then(function (payload) {
      payload.data.offres.forEach(function (offre) {
        var item = document.createElement("article");
        item.className = "offre";
        item.innerHTML = "<h2></h2><p class='lieu'></p>";
        item.querySelector("h2").textContent = offre.title;
        item.querySelector(".lieu").textContent = offre.location;
        app.appendChild(item);
      });
    });
});
