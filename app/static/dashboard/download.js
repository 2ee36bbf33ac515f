// Downloads with progress: fetch + ReadableStream reader, then save the bytes as a Blob.

import { formatInteger } from "./format.js";

const NEWLINE = 10;

function filenameOf(response, fallback) {
  const match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  return match ? match[1] : fallback;
}

/** Download a URL while reporting progress to {bar, text, label}; rows are counted by line for csv/geojson. */
export async function downloadWithProgress(url, { bar, text, label }, format) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) {
    let detail = `Fout ${response.status}`;
    try {
      detail = (await response.json()).detail || detail;
    } catch {
      // not JSON: keep the status text
    }
    throw new Error(detail);
  }
  const records = Number(response.headers.get("X-Record-Count")) || 0;
  const length = Number(response.headers.get("Content-Length")) || 0;
  const name = filenameOf(response, `export.${format}`);
  label.textContent = `${name} downloaden`;
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  let lines = 0;
  const countLines = format !== "xlsx";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    if (countLines) for (let i = 0; i < value.length; i += 1) if (value[i] === NEWLINE) lines += 1;
    const mb = (received / 1e6).toLocaleString("nl-NL", { maximumFractionDigits: 1 });
    if (length) {
      bar.max = length;
      bar.value = received;
    } else if (records && countLines) {
      bar.max = records;
      bar.value = Math.min(records, Math.max(0, lines - 1));
    } else {
      bar.removeAttribute("value"); // indeterminate: xlsx is sent only once it is complete
    }
    text.textContent = records && countLines
      ? `${formatInteger(Math.min(records, Math.max(0, lines - 1)))} van ${formatInteger(records)} records (${mb} MB)`
      : `${mb} MB ontvangen`;
  }
  const blob = new Blob(chunks, { type: response.headers.get("Content-Type") || "application/octet-stream" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  bar.max = 1;
  bar.value = 1;
  text.textContent = `Klaar: ${name}${records ? ` (${formatInteger(records)} records)` : ""}`;
}
