// Progressive enhancement only: every feature here also works without JavaScript.
(function () {
  "use strict";

  // "Find a tag": narrow the listed tags as one types; submitting still asks the server for all matches.
  document.querySelectorAll("input[data-filter-list]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-filter-list"));
    if (!list) return;
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLocaleLowerCase();
      list.querySelectorAll("li").forEach(function (item) {
        item.hidden = needle !== "" && item.textContent.toLocaleLowerCase().indexOf(needle) === -1;
      });
    });
  });

  // "/" jumps to the search box, as on many search sites, unless one is typing somewhere.
  var box = document.querySelector("input[data-shortcut='/']");
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    if (box && event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
})();
