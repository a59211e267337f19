// Upload page: a drop zone over the file input (the form works without this script).
(function () {
  "use strict";
  var zone = document.getElementById("dropzone");
  var input = document.getElementById("files");
  var list = document.getElementById("dz-list");
  if (!zone || !input || !list) { return; }
  function show() {
    var n = input.files ? input.files.length : 0;
    if (!n) { list.textContent = "可一次选择多个文件"; return; }
    var names = [];
    for (var i = 0; i < n && i < 8; i++) { names.push(input.files[i].name); }
    list.textContent = "已选择 " + n + " 个文件：" + names.join("、") + (n > 8 ? " …" : "");
  }
  ["dragenter", "dragover"].forEach(function (ev) {
    zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (ev) {
    zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) {
    if (e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      show();
    }
  });
  input.addEventListener("change", show);
  var form = document.getElementById("upload-form");
  if (form) {
    form.addEventListener("submit", function () {
      var b = form.querySelector("button[type=submit]");
      if (b) { b.disabled = true; b.textContent = "正在上传……"; }
    });
  }
})();
