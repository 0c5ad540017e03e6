// A small React-style single-page careers app: the server sends an empty #root, the script
// fetches the jobs as JSON after load, renders them, and fetches the next page on "Mehr laden".
(function () {
  var root = document.getElementById("root");
  var header = document.createElement("header");
  header.innerHTML = '<img src="/static/logo.png" alt="Rheinwerk Logistik"><h1>Offene Stellen</h1>';
  root.appendChild(header);
  var list = document.createElement("div");
  list.className = "stellen";
  root.appendChild(list);
  var more = document.createElement("button");
  more.className = "mehr";
  more.textContent = "Mehr laden";
  var page = 0;

  function show(job) {
    var card = document.createElement("div");
    card.className = "stelle";
    // Routing is the app's own: a card is clicked, not linked.
    card.setAttribute("data-id", job.id);
    card.innerHTML = "<h2></h2><span class='ort'></span>";
    card.querySelector("h2").textContent = job.title;
    card.querySelector(".ort").textContent = job.location.city;
    list.appendChild(card);
  }

  function load() {
    page += 1;
    more.disabled = true;
    fetch("/api/stellen-" + page + ".json", { headers: { "Accept": "application/json" } })
      .then(function (answer) { return answer.json(); })
      .then(function (data) {
        data.jobs.forEach(show);
        more.disabled = false;
        if (data.hasMore) { root.appendChild(more); } else if (more.parentNode) { more.remove(); }
      });
  }

  more.addEventListener("click", load);
  load();
})();
