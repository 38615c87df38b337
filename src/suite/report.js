(function () {
  var filter = "all";
  var search = document.getElementById("search");
  var buttons = document.querySelectorAll(".toolbar button[data-filter]");
  function apply() {
    var text = search.value.trim().toLowerCase();
    document.querySelectorAll(".test").forEach(function (test) {
      var statusOk = filter === "all" || test.dataset.status === filter;
      var textOk = !text || test.dataset.search.indexOf(text) !== -1;
      test.classList.toggle("hidden", !(statusOk && textOk));
    });
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      filter = button.dataset.filter;
      buttons.forEach(function (b) { b.classList.toggle("on", b === button); });
      apply();
    });
  });
  search.addEventListener("input", apply);
})();
