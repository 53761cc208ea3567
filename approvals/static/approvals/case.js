// Common phrases fill the opinion box (同意。/ 请补充材料。).
document.addEventListener("click", (event) => {
  const btn = event.target.closest(".phrase");
  if (!btn) return;
  const box = btn.closest("form").querySelector("textarea[name=comment]");
  box.value = box.value ? `${box.value} ${btn.dataset.phrase}` : btn.dataset.phrase;
  box.focus();
});
// Batch approval: "select all" checkbox.
document.addEventListener("change", (event) => {
  if (event.target.id !== "select-all") return;
  document.querySelectorAll("input[name=case]").forEach((cb) => { cb.checked = event.target.checked; });
});
// Long cards (trail, comments) are collapsed on the phone and open on a wide screen.
if (window.matchMedia("(min-width: 992px)").matches) {
  document.querySelectorAll("details[data-open-wide]").forEach((d) => { d.open = true; });
}
