// "Select all on this page" for the bulk actions of a list: a checkbox that ticks every
// row's box in its form. It stays hidden without JavaScript, where it could do nothing.
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    const form = all.form;
    const boxes = Array.from(form.querySelectorAll('input[type="checkbox"][name="' + all.dataset.selectAll + '"]'));
    if (!boxes.length) return;
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        const ticked = boxes.filter(function (b) { return b.checked; }).length;
        all.checked = ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      });
    });
  });
})();
