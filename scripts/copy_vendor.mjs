// Copies the front-end libraries from node_modules into static/vendor, which whitenoise serves.
import { cpSync, mkdirSync, rmSync } from "node:fs";

const files = [
  ["bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"],
  ["bootstrap/dist/css/bootstrap.min.css.map", "bootstrap/bootstrap.min.css.map"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js.map", "bootstrap/bootstrap.bundle.min.js.map"],
  ["bootstrap-icons/font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"],
  ["bootstrap-icons/font/fonts", "bootstrap-icons/fonts"],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["echarts/dist/echarts.min.js", "echarts/echarts.min.js"],
];
rmSync("static/vendor", { recursive: true, force: true });
for (const [src, dst] of files) {
  mkdirSync(`static/vendor/${dst}`.split("/").slice(0, -1).join("/"), { recursive: true });
  cpSync(`node_modules/${src}`, `static/vendor/${dst}`, { recursive: true });
}
console.log(`copied ${files.length} front-end assets into static/vendor`);
