(function () {
  var filter = "all";
  var search = document.getElementById("search");
  var buttons = document.querySelectorAll(".toolbar button[data-filter]");
  var none = document.getElementById("no-match");
  function apply() {
    var text = search.value.trim().toLowerCase();
    var shown = 0;
    var tests = document.querySelectorAll(".test");
    tests.forEach(function (test) {
      var statusOk = filter === "all" || test.dataset.status === filter;
      var textOk = !text || test.dataset.search.indexOf(text) !== -1;
      test.classList.toggle("hidden", !(statusOk && textOk));
      if (statusOk && textOk) { shown += 1; }
    });
    // An empty selection says so, rather than showing an empty table.
    if (tests.length > 0) {
      none.textContent = "No " + (filter === "all" ? "" : filter + " ") + "test matches" +
        (text ? " \u201c" + search.value.trim() + "\u201d" : " this filter") + ".";
    }
    none.classList.toggle("hidden", tests.length > 0 && shown > 0);
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
