// select2 speaks English unless told otherwise ("Remove all items" on every clear button, "No
// results found"): every select2 of the page gets the UI's language. The texts arrive translated
// from the template (data-messages on this script's tag); "%(count)s" is filled in here.
(function ($) {
  "use strict";
  var script = document.currentScript;
  if (!$ || !$.fn.select2 || !script) { return; }
  var texts = JSON.parse(script.getAttribute("data-messages"));
  var fixed = function (key) { return function () { return texts[key]; }; };
  var counted = function (key, n) { return texts[key].replace("%(count)s", n); };
  $.fn.select2.defaults.set("language", {
    errorLoading: fixed("errorLoading"),
    inputTooLong: function (args) { return counted("inputTooLong", args.input.length - args.maximum); },
    inputTooShort: function (args) { return counted("inputTooShort", args.minimum - args.input.length); },
    loadingMore: fixed("loadingMore"),
    maximumSelected: function (args) { return counted("maximumSelected", args.maximum); },
    noResults: fixed("noResults"),
    searching: fixed("searching"),
    removeAllItems: fixed("removeAllItems")
  });
})(window.jQuery);
