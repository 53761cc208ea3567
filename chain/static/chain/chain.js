// The print button of the chain page (no inline handlers: the content-security policy forbids them).
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-print]")) { e.preventDefault(); window.print(); }
});
