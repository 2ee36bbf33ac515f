// Screen: everything I recorded on this phone or elsewhere, newest first.
import { on } from "../events.js";
import { loadRecords } from "../outbox.js";
import { recordList } from "../ui.js";

/** Render my records. */
export async function render(root) {
  root.innerHTML = `<h1>Mijn registraties</h1><div id="list"></div>`;
  const draw = async () => {
    const mine = (await loadRecords()).filter((r) => r.mine && r.entity !== "followup");
    root.querySelector("#list").innerHTML = recordList(mine, "Nog niets vastgelegd.");
  };
  await draw();
  return on("records", draw);
}
