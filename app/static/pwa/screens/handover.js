// Screen: items typed on this phone by someone else wait in the outbox — send them under my name.
import { go } from "../nav.js";
import { foreignPending, handOver } from "../handover.js";
import { syncNow } from "../sync.js";
import { esc } from "../ui.js";

/** Render the hand-over question for each earlier user with waiting items. */
export async function render(root) {
  const authors = await foreignPending();
  if (!authors.length) {
    go("#/");
    return null;
  }
  root.innerHTML = `<h1>Items van een eerdere gebruiker</h1>
    ${authors.map((a) => `<section class="card" aria-labelledby="h-${esc(a.id)}">
      <h2 id="h-${esc(a.id)}">${a.count === 1 ? "1 item" : `${a.count} items`} van ${esc(a.name)}</h2>
      <p>Deze items zijn op deze telefoon vastgelegd door ${esc(a.name)} en nog niet verzonden.
        U kunt ze onder uw naam verzenden; de server legt vast dat ${esc(a.name)} ze maakte.</p>
      <button type="button" class="primary" data-author="${esc(a.id)}">Verzenden onder mijn naam</button>
    </section>`).join("")}
    <p id="handover-error" class="form-error" role="alert" hidden></p>
    <p><a href="#/">Nu niet</a> – de items blijven veilig op deze telefoon.</p>`;
  for (const button of root.querySelectorAll("[data-author]")) {
    button.addEventListener("click", async () => {
      const error = root.querySelector("#handover-error");
      button.disabled = true;
      let result;
      try {
        result = await handOver(button.dataset.author);
      } catch (e) {
        result = { ok: false, message: "De server is niet bereikbaar. Probeer het zo opnieuw." };
      }
      if (!result.ok) {
        error.textContent = result.message;
        error.hidden = false;
        button.disabled = false;
        return;
      }
      syncNow();
      go((await foreignPending()).length ? "#/overdragen" : "#/uitbox");
    });
  }
  return null;
}
