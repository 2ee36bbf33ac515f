// Screen: home with one-tap "Nieuw gesprek", the outbox count and my latest records.
import { getMeta } from "../db.js";
import { on } from "../events.js";
import { go } from "../nav.js";
import { loadRecords, pendingMutations } from "../outbox.js";
import { kindLabel, openGathering } from "../programme.js";
import { signOut } from "../session.js";
import { esc, recordList } from "../ui.js";

/** Render the home screen. */
export async function render(root) {
  const user = await getMeta("user");
  const expired = await getMeta("auth_expired");
  root.innerHTML = `<h1>Hallo ${esc((user?.name || "").split(" ")[0])}</h1>
    ${expired ? `<p class="notice notice-error">Verzenden lukt pas na opnieuw aanmelden. <a href="#/login">Opnieuw aanmelden</a></p>` : ""}
    <a class="big-action" href="#/gesprek/nieuw">Nieuw gesprek</a>
    <div id="gathering-slot"></div>
    <div class="row">
      <a class="action" href="#/signaal/nieuw">Los signaal</a>
      <a class="action" href="#/idee/nieuw">Los idee</a>
    </div>
    <nav class="tiles" aria-label="Overzichten">
      <a href="#/uitbox">Uitbox <span id="outbox-count" class="count"></span></a>
      <a href="#/buurt">In deze buurt</a>
      <a href="#/mijn">Mijn registraties</a>
    </nav>
    <section aria-labelledby="latest-title"><h2 id="latest-title">Laatst vastgelegd</h2><div id="latest"></div></section>
    <section class="logout" id="logout-area">
      <button type="button" id="logout">Afmelden</button>
    </section>`;

  async function draw() {
    const [records, pending] = await Promise.all([loadRecords(), pendingMutations()]);
    const mine = records.filter((r) => r.mine && r.entity !== "followup").slice(0, 5);
    root.querySelector("#latest").innerHTML = recordList(mine, "Nog niets vastgelegd op deze telefoon.");
    root.querySelector("#outbox-count").textContent = `(${pending.length})`;
    const open = await openGathering();
    root.querySelector("#gathering-slot").innerHTML = open
      ? `<a class="action gathering-open" href="#/bijeenkomst/${esc(open.id)}">Bijeenkomst bezig: ${esc(open.view.title || kindLabel(open.view.kind))} (${esc(open.view.attendance_count || 0)} aanwezig)</a>`
      : `<a class="action" href="#/bijeenkomst/nieuw">Bijeenkomst starten</a>`;
  }

  root.querySelector("#logout-area").addEventListener("click", async (event) => {
    const area = root.querySelector("#logout-area");
    if (event.target.id === "logout") {
      const pending = await pendingMutations();
      if (pending.length === 0) return finish();
      area.innerHTML = `<div class="notice notice-error" role="alertdialog" aria-labelledby="logout-warning">
        <p id="logout-warning"><strong>Er ${pending.length === 1 ? "wacht nog 1 item" : `wachten nog ${pending.length} items`} op verzending.</strong>
        Als u zich nu afmeldt, blijven ze op deze telefoon bewaard en worden ze pas verzonden als u zich weer aanmeldt.</p>
        <div class="row"><button type="button" id="logout-cancel" class="secondary">Aangemeld blijven</button>
        <button type="button" id="logout-confirm">Toch afmelden</button></div></div>`;
      area.querySelector("#logout-cancel").focus();
    } else if (event.target.id === "logout-cancel") {
      area.innerHTML = `<button type="button" id="logout">Afmelden</button>`;
    } else if (event.target.id === "logout-confirm") {
      finish();
    }
    return null;
  });

  async function finish() {
    await signOut();
    go("#/login");
  }

  await draw();
  return on("records", draw);
}
