/* A little JavaScript over server-rendered pages; every form also works without it.
 *
 * - Upload forms: drag and drop, the size limit checked before sending, an upload progress bar.
 * - The mapping page: the preview refreshes when a column's field changes.
 * - Progress blocks: poll the job's progress endpoint about once a second, the job's status badges and counts
 *   (`data-job-counts`) following from the same answer, so bar, badge and counts always agree; reload the page when
 *   the job ends.
 * - Job notices: while a job the user asked for is going, every page asks now and then whether one ended, and
 *   adds its notice ("Your import of customers.csv finished: ...") with a link; the next page load shows it too.
 * - The export builder: columns move up and down without a round trip, the import-compatible switch ticks exactly
 *   the import's columns (and goes off when the columns change), the records' choice opens its builder at once.
 * - Schedule forms: only the inputs the chosen frequency uses are shown.
 */
(function () {
  "use strict";

  function formatBytes(bytes) {
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  function setUpUpload(form) {
    var input = form.querySelector("input[type=file]");
    var zone = form.querySelector("[data-dropzone]");
    var bar = form.querySelector(".upload-progress");
    var error = form.querySelector(".upload-error");
    var maxBytes = parseInt(form.dataset.maxBytes, 10);

    function fail(message) {
      error.textContent = message;
      error.hidden = false;
      bar.hidden = true;
    }

    function send(file) {
      error.hidden = true;
      if (maxBytes && file.size > maxBytes) {
        fail("The file is " + formatBytes(file.size) + "; the limit is " + formatBytes(maxBytes) + ".");
        return;
      }
      var data = new FormData(form);
      data.set("file", file, file.name);
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-Requested-With", "fetch");
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          bar.value = Math.round((event.loaded / event.total) * 100);
        }
      });
      request.addEventListener("load", function () {
        if (request.status >= 200 && request.status < 300) {
          window.location.assign(request.responseURL);
        } else {
          fail(request.responseText || "The upload failed (" + request.status + ").");
        }
      });
      request.addEventListener("error", function () {
        fail("The upload was interrupted: check the connection and try again.");
      });
      bar.hidden = false;
      bar.value = 0;
      request.send(data);
    }

    form.addEventListener("submit", function (event) {
      if (input.files.length) {
        event.preventDefault();
        send(input.files[0]);
      }
    });
    if (zone) {
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (event) {
          event.preventDefault();
          zone.classList.add("dragging");
        });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function () {
          zone.classList.remove("dragging");
        });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files.length) {
          send(event.dataTransfer.files[0]);
        }
      });
    }
  }

  function setUpPreview(form) {
    var url = form.dataset.previewUrl;
    var pending = null;
    form.addEventListener("change", function (event) {
      if (event.target.tagName !== "SELECT") {
        return;
      }
      var badge = event.target.closest("tr") && event.target.closest("tr").querySelector(".badge");
      if (badge) {
        badge.className = "badge";
        badge.textContent = event.target.value ? "chosen" : "not matched";
      }
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      var query = new URLSearchParams(new FormData(form));
      query.delete("csrfmiddlewaretoken");
      fetch(url + "?" + query.toString(), { signal: pending.signal, credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var current = document.getElementById("preview");
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("#preview");
          if (current && fresh) {
            current.replaceWith(fresh);
          }
          var next = form.querySelector("button[value=next]");
          if (next) {
            // Going on needs every required field fed; the server checks it again.
            next.setAttribute("aria-disabled", fresh && fresh.querySelector("[data-missing]") ? "true" : "false");
          }
        })
        .catch(function () { /* a newer change replaced this request */ });
    });
  }

  function setUpProgress(block) {
    var url = block.dataset.progressUrl;
    var bar = block.querySelector("progress");

    function show(data) {
      bar.value = data.progress;
      bar.textContent = data.progress + " %";
      document.querySelectorAll('[data-job-status="' + data.id + '"]').forEach(function (badge) {
        badge.textContent = data.status_label;
        badge.className = "badge badge-" + data.status;
      });
      var counts = document.querySelectorAll('[data-job-counts="' + data.id + '"] [data-field]');
      Array.prototype.slice.call(block.querySelectorAll("[data-field]")).concat(
        Array.prototype.slice.call(counts)
      ).forEach(function (element) {
        var name = element.dataset.field;
        var value = data[name];
        if (name === "seconds_left") {
          element.textContent = value === null || value === undefined ? "" : value + " s left";
        } else if (name === "phase") {
          element.textContent = value ? "(" + value + ")" : "";
        } else if (value !== undefined) {
          element.textContent = typeof value === "number" ? value.toLocaleString() : value;
        }
      });
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          show(data);
          if (data.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }

    if (block.dataset.finished !== "true") {
      window.setTimeout(poll, 500);
    }
  }

  function setUpNotices(list) {
    var url = list.dataset.noticesUrl;
    var seconds = parseInt(list.dataset.noticesSeconds, 10) || 15;

    function add(notice) {
      if (list.querySelector('[data-notice="' + notice.id + '"]') || notice.url === window.location.pathname) {
        return;  // told already, or this is the job's own page, which reloads itself when the job ends
      }
      var item = document.createElement("li");
      item.className = "notice-" + notice.status;
      item.dataset.notice = notice.id;
      item.textContent = notice.text + " ";
      var link = document.createElement("a");
      link.href = notice.url;
      link.textContent = "See the job";
      item.appendChild(link);
      list.appendChild(item);
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          data.notices.forEach(add);
          if (data.listen) {
            window.setTimeout(poll, seconds * 1000);
          }
        })
        .catch(function () { window.setTimeout(poll, seconds * 2000); });
    }

    window.setTimeout(poll, seconds * 1000);
  }

  function setUpExportBuilder(form) {
    var body = form.querySelector("table.column-choice tbody");
    var toggle = form.querySelector("#import-compatible");
    var was = form.querySelector("input[name=was_import_compatible]");
    var importColumns = toggle.dataset.importColumns.split(",");

    function rows() {
      return Array.prototype.slice.call(body.querySelectorAll("tr[data-column]"));
    }

    function chosen() {
      return rows().filter(function (row) {
        return row.querySelector("input[name=columns]").checked;
      }).map(function (row) { return row.dataset.column; });
    }

    function sync() {
      // The switch tells whether the file's columns are exactly the import's, in its order; the server is told it
      // was shown that way, so it does not select them again.
      var names = chosen();
      toggle.checked = names.length === importColumns.length && names.every(function (name, index) {
        return name === importColumns[index];
      });
      was.value = toggle.checked ? "on" : "";
      var all = rows();
      all.forEach(function (row, index) {
        row.querySelector("button[value^='up:']").disabled = index === 0;
        row.querySelector("button[value^='down:']").disabled = index === all.length - 1;
      });
    }

    form.addEventListener("click", function (event) {
      var pick = event.target.closest("button[name=pick]");
      if (pick) {
        event.preventDefault();
        rows().forEach(function (row) {
          row.querySelector("input[name=columns]").checked = pick.value === "all";
        });
        sync();
        return;
      }
      var button = event.target.closest("button[name=move]");
      if (!button) {
        return;
      }
      event.preventDefault();
      var row = button.closest("tr");
      var up = button.value.indexOf("up:") === 0;
      var other = up ? row.previousElementSibling : row.nextElementSibling;
      if (other) {
        body.insertBefore(up ? row : other, up ? other : row);
      }
      sync();
      if (!button.disabled) {
        button.focus();
      }
    });

    toggle.addEventListener("change", function () {
      if (toggle.checked) {
        var byName = {};
        rows().forEach(function (row) {
          byName[row.dataset.column] = row;
          row.querySelector("input[name=columns]").checked = importColumns.indexOf(row.dataset.column) !== -1;
        });
        var others = rows().filter(function (row) { return importColumns.indexOf(row.dataset.column) === -1; });
        importColumns.forEach(function (name) { body.appendChild(byName[name]); });
        others.forEach(function (row) { body.appendChild(row); });
      }
      sync();
    });

    body.addEventListener("change", function (event) {
      if (event.target.name === "columns") {
        sync();
      }
    });
  }

  function setUpSchedule(form) {
    var frequency = form.querySelector("select[name=frequency]");

    function show() {
      form.querySelectorAll("[data-for-frequency]").forEach(function (part) {
        part.hidden = part.dataset.forFrequency !== frequency.value;
      });
      form.querySelector("input[name=time]").closest("div").hidden = !frequency.value;
    }

    frequency.addEventListener("change", show);
    show();
  }

  // The review page's grid of failing rows: a changed cell sends its row, which the server judges again and draws
  // anew; the counts and the Import button above are then drawn again from the page itself. Without JavaScript the
  // grid is a form saved a page at a time.
  function setUpFixGrid(form) {
    var status = form.querySelector(".fix-status");
    form.addEventListener("change", function (event) {
      var row = event.target.closest("tr[data-row]");
      if (!row || event.target.tagName !== "INPUT") {
        return;
      }
      var body = new FormData();
      ["csrfmiddlewaretoken", "dry_run", "page"].forEach(function (name) {
        body.append(name, form.elements[name].value);
      });
      body.append("fragment", "1");
      row.querySelectorAll("input").forEach(function (input) { body.append(input.name, input.value); });
      row.setAttribute("aria-busy", "true");
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          return response.text().then(function (html) { return { ok: response.ok, html: html }; });
        })
        .then(function (answer) {
          var holder = document.createElement("template");
          holder.innerHTML = answer.html;
          if (!answer.ok) {
            row.removeAttribute("aria-busy");
            status.textContent = holder.content.textContent.trim();
            return;
          }
          var fresh = holder.content.querySelector("tr[data-row]");
          var focused = document.activeElement && row.contains(document.activeElement) ? document.activeElement.name : null;
          row.replaceWith(fresh);
          if (focused) {
            fresh.querySelector('input[name="' + focused + '"]').focus();
          }
          var label = fresh.querySelector(".row-label").textContent;
          status.textContent = fresh.classList.contains("fixed") ? label + " passes now." : label + " still fails.";
          return fetch(window.location.href, { credentials: "same-origin" })
            .then(function (response) { return response.text(); })
            .then(function (html) {
              var page = new DOMParser().parseFromString(html, "text/html");
              document.querySelectorAll("[data-fix-refresh]").forEach(function (part) {
                var newer = page.getElementById(part.id);
                if (newer) {
                  part.replaceWith(newer);
                }
              });
            });
        })
        .catch(function () {
          row.removeAttribute("aria-busy");
          status.textContent = "The change could not be sent: save the page to keep it.";
        });
    });
  }

  // The options page: the choice for rows matching a stored record applies to "Add new records only" alone, so it
  // is shown only then (without JavaScript it stays, its help saying so).
  function modeDependentOptions(form) {
    var mode = form.querySelector("select[name=import_mode]");
    if (!mode) { return; }
    function show() {
      form.querySelectorAll("[data-for-mode]").forEach(function (part) {
        part.hidden = part.dataset.forMode !== mode.value;
      });
    }
    mode.addEventListener("change", show);
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.options-form").forEach(modeDependentOptions);
    document.querySelectorAll("form[data-submit-on-change]").forEach(function (form) {
      form.addEventListener("change", function () { form.submit(); });
    });
    var exportBuilder = document.getElementById("export-builder");
    if (exportBuilder) {
      setUpExportBuilder(exportBuilder);
    }
    document.querySelectorAll("form.schedule-form").forEach(setUpSchedule);
    document.querySelectorAll("form.upload-form").forEach(setUpUpload);
    var mapping = document.getElementById("mapping-form");
    if (mapping) {
      setUpPreview(mapping);
    }
    document.querySelectorAll("form.fix-form").forEach(setUpFixGrid);
    document.querySelectorAll("[data-progress-url]").forEach(setUpProgress);
    document.querySelectorAll("ul.notices[data-notices-url]").forEach(setUpNotices);
  });
})();
