// Small behaviours shared by every page. No inline scripts: the CSP allows only our own files.
document.addEventListener("click", (event) => {
  const el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.dataset.confirm)) {
    event.preventDefault();
  }
});
// A people picker's search box filters; Enter must not submit the form it sits in.
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.target.matches(".people-picker input[type=search]")) {
    event.preventDefault();
  }
});
