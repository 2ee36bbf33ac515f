// The copy button next to a password shown once: copies it, or selects it when the clipboard is unavailable.
for (const button of document.querySelectorAll("[data-copy]")) {
  button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.copy);
    const status = document.getElementById("copy-status");
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = "Gekopieerd.";
    } catch (error) {
      field.select();
      status.textContent = "Kopiëren lukte niet; het wachtwoord is geselecteerd, kopieer het met Ctrl+C.";
    }
  });
}
