// Search-as-you-type selects (app/views/remote_select.py): select2 fetching pages of rows from
// the field's endpoint. The chosen id lives in the hidden input beside the select, which is also
// what FAB's filter script renames and fills when it adds a search filter.
(function ($) {
  "use strict";

  function init(wrapper) {
    var $wrapper = $(wrapper);
    if ($wrapper.data("ready")) { return; }
    $wrapper.data("ready", true);
    var $input = $wrapper.children("input");
    var $select = $wrapper.children("select");
    var source = $wrapper.data("source");
    var text = function (key) { return function () { return $wrapper.data(key); }; };
    $select.select2({
      theme: "bootstrap",
      width: "100%",
      allowClear: true,
      placeholder: $wrapper.data("placeholder"),
      language: {
        noResults: text("no-results"),
        searching: text("searching"),
        loadingMore: text("more"),
        errorLoading: text("error"),
        removeAllItems: text("clear")
      },
      ajax: {
        url: source,
        dataType: "json",
        delay: 250,
        data: function (params) { return {q: params.term || "", page: params.page || 1}; },
        processResults: function (data) { return {results: data.results, pagination: {more: data.more}}; }
      }
    });
    $select.on("change", function () { $input.val($select.val() || ""); });
    // select2 4.0.13 under jQuery 3.6 no longer focuses its search box: typing went nowhere.
    $select.on("select2:open", function () {
      var box = document.querySelector(".select2-container--open .select2-search__field");
      if (box) { box.focus(); }
    });
    // A filter FAB's script filled in from the URL: show the chosen row's name.
    var value = $input.val();
    if (value && !$select.find("option[value='" + value + "']").length) {
      $.getJSON(source, {id: value}).done(function (data) {
        if (data.results.length) {
          $select.append(new Option(data.results[0].text, data.results[0].id, true, true)).trigger("change");
        }
      });
    }
  }

  function scan(root) {
    $(root).find(".govhall-remote").addBack(".govhall-remote").each(function () { init(this); });
  }

  $(function () {
    scan(document);
    // FAB's search filters are added to the page when chosen from the menu.
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        mutation.addedNodes.forEach(function (node) { if (node.nodeType === 1) { scan(node); } });
      });
    }).observe(document.body, {childList: true, subtree: true});
  });
})(jQuery);
