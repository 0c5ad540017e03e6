// A Vue-style widget: the page's chrome is served as HTML, the job list is drawn into #app from
// the JSON the script fetches; the next part of the list is fetched when the reader scrolls to
// its end (there is no button).
document.addEventListener("DOMContentLoaded", function () {
  var app = document.getElementById("app");
  var next = 1;
  var loading = false;

  function load() {
    if (loading || next === null) return;
    loading = true;
    fetch("/api/offres-" + next + ".json")
      .then(function (answer) { return answer.json(); })
      .then(function (payload) {
        payload.data.offres.forEach(function (offre) {
          var item = document.createElement("article");
          item.className = "offre";
          item.style.minHeight = "600px";
          item.innerHTML = "<h2></h2><p class='lieu'></p>";
          item.querySelector("h2").textContent = offre.title;
          item.querySelector(".lieu").textContent = offre.location;
          app.appendChild(item);
        });
        next = payload.data.next;
        loading = false;
      });
  }

  window.addEventListener("scroll", function () {
    if (window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 200) load();
  });
  load();
});
