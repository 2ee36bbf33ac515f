// The "Afdrukken" button of the printable buurt report.
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
