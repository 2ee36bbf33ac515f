// Location picker: GPS with its accuracy, a small Leaflet map to move the pin (buurt outlines drawn,
// works without tiles), the buurt's name shown live, or a manual buurt choice without a location.
import { buurtAt } from "./geo.js";
import { loadLeaflet } from "./leafletloader.js";
import { buurtChoices, buurtenCollection, buurtenIndex } from "./reference.js";
import { esc } from "./ui.js";

const ASSEN = [52.9936, 6.5650];
const config = JSON.parse(document.getElementById("muurtje-config").textContent);

/** The location fieldset's HTML. */
export function locationFieldset() {
  return `<fieldset class="location" id="field-location"><legend>Locatie</legend>
    <p id="loc-status" class="loc-status" aria-live="polite">GPS zoeken…</p>
    <p class="loc-buurt">Buurt: <strong id="loc-buurt">–</strong></p>
    <div id="loc-map" class="map"></div>
    <p class="hint">Tik op de kaart of sleep de speld om de plek te verbeteren.</p>
    <div class="row">
      <button type="button" id="loc-gps">GPS opnieuw</button>
      <button type="button" id="loc-none" aria-pressed="false">Zonder locatie</button>
    </div>
    <div id="loc-manual" hidden>
      <label for="buurt_code">Kies de buurt</label>
      <select id="buurt_code" name="buurt_code"><option value="">– kies een buurt –</option></select>
    </div>
    <p class="field-error" data-error-for="location" hidden></p>
    <p class="field-error" data-error-for="buurt_code" hidden></p>
  </fieldset>`;
}

/** Wire the location fieldset inside `root`; returns {value(), destroy()}. */
export async function locationPicker(root, { location = null, buurtCode = null, locate = true } = {}) {
  const status = root.querySelector("#loc-status");
  const buurtLabel = root.querySelector("#loc-buurt");
  const select = root.querySelector("#buurt_code");
  const manual = root.querySelector("#loc-manual");
  const noneButton = root.querySelector("#loc-none");
  const index = await buurtenIndex();
  for (const b of await buurtChoices()) {
    select.insertAdjacentHTML("beforeend",
      `<option value="${esc(b.code)}">${esc(b.name)}${b.wijk ? ` (${esc(b.wijk)})` : ""}</option>`);
  }
  const state = { location, mode: location ? "point" : "none" };
  let map = null;
  let marker = null;
  let circle = null;
  let destroyed = false;
  let zooming = false;

  function showBuurt() {
    if (state.mode === "none") {
      const option = select.selectedOptions[0];
      buurtLabel.textContent = select.value ? option.textContent : "nog niet gekozen";
      return;
    }
    if (!state.location) { buurtLabel.textContent = "–"; return; }
    const buurt = buurtAt(index, state.location.lon, state.location.lat);
    buurtLabel.textContent = buurt ? buurt.buurt_name : "buiten de bekende buurten";
  }

  function placeOnMap(recentre) {
    if (!map || !state.location) return;
    const latlng = [state.location.lat, state.location.lon];
    if (!marker) {
      marker = window.L.marker(latlng, { draggable: true, keyboard: true, alt: "Speld: plek van de registratie" }).addTo(map);
      marker.on("dragend", () => {
        const p = marker.getLatLng();
        setPoint({ lat: p.lat, lon: p.lng, accuracy_m: null }, false);
      });
    } else {
      marker.setLatLng(latlng);
    }
    if (circle) { circle.remove(); circle = null; }
    if (state.location.accuracy_m) {
      circle = window.L.circle(latlng, { radius: state.location.accuracy_m, weight: 1, color: "#1d4ed8", fillOpacity: 0.1, interactive: false }).addTo(map);
    }
    if (recentre) map.setView(latlng, Math.max(map.getZoom(), 16), { animate: false });
  }

  function setPoint(point, recentre) {
    if (destroyed) return; // a GPS answer that came after the worker left the screen
    state.location = {
      lat: Number(point.lat.toFixed(6)), lon: Number(point.lon.toFixed(6)),
      accuracy_m: point.accuracy_m == null ? null : Math.round(point.accuracy_m),
    };
    state.mode = "point";
    manual.hidden = true;
    noneButton.setAttribute("aria-pressed", "false");
    status.textContent = state.location.accuracy_m == null
      ? "Plek handmatig aangepast op de kaart."
      : `GPS: nauwkeurig tot ± ${state.location.accuracy_m} m`;
    placeOnMap(recentre);
    showBuurt();
  }

  function useGps() {
    if (!navigator.geolocation) {
      status.textContent = "Deze telefoon geeft geen GPS-locatie. Tik op de kaart of kies een buurt.";
      return;
    }
    status.textContent = "GPS zoeken…";
    navigator.geolocation.getCurrentPosition(
      (pos) => setPoint({ lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy_m: pos.coords.accuracy }, true),
      (error) => {
        status.textContent = error.code === 1
          ? "Geen toestemming voor GPS. Tik op de kaart of kies een buurt."
          : "Geen GPS-locatie gevonden. Tik op de kaart of kies een buurt.";
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 },
    );
  }

  if (await loadLeaflet()) {
    map = window.L.map(root.querySelector("#loc-map"), { zoomControl: true });
    map.attributionControl.setPrefix(false);
    // Without a network the tiles fail quietly; the buurt outlines still show where you are.
    window.L.tileLayer(config.tile_url, { maxZoom: 19, attribution: esc(config.tile_attribution) }).addTo(map);
    const collection = await buurtenCollection();
    if (collection) {
      window.L.geoJSON(collection, {
        interactive: false, attribution: esc(collection.attribution || "Bron: CBS / Kadaster"),
        style: { color: "#0b5d3b", weight: 2, fill: false },
      }).addTo(map);
    }
    map.setView(state.location ? [state.location.lat, state.location.lon] : ASSEN, state.location ? 16 : 13);
    map.on("click", (event) => setPoint({ lat: event.latlng.lat, lon: event.latlng.lng, accuracy_m: null }, false));
    map.on("zoomanim", () => { zooming = true; });
    map.on("zoomend", () => { zooming = false; });
  } else {
    root.querySelector("#loc-map").hidden = true;
  }

  noneButton.addEventListener("click", () => {
    state.mode = "none";
    noneButton.setAttribute("aria-pressed", "true");
    manual.hidden = false;
    status.textContent = "Zonder locatie: kies hieronder de buurt.";
    if (!select.value && state.location) {
      const buurt = buurtAt(index, state.location.lon, state.location.lat);
      if (buurt) select.value = buurt.buurt_code;
    }
    showBuurt();
    select.focus();
  });
  select.addEventListener("change", showBuurt);
  root.querySelector("#loc-gps").addEventListener("click", useGps);

  if (state.location) {
    setPoint(state.location, true);
    if (state.location.accuracy_m == null) status.textContent = "Opgeslagen plek.";
  } else if (buurtCode) {
    state.mode = "none";
    select.value = buurtCode;
    manual.hidden = false;
    noneButton.setAttribute("aria-pressed", "true");
    status.textContent = "Zonder locatie opgeslagen.";
    showBuurt();
  } else if (locate) {
    state.mode = "point";
    useGps();
  }

  return {
    /** {location, buurt_code}: buurt_code only without a location (the server decides otherwise). */
    value() {
      if (state.mode === "none" || !state.location) return { location: null, buurt_code: select.value || null };
      return { location: { ...state.location } };
    },
    destroy() {
      destroyed = true;
      if (!map) return;
      // Leaflet finishes a zoom animation on a timer that fails on a removed map: remove after it.
      if (zooming) map.once("zoomend", () => map.remove());
      else map.remove();
    },
  };
}
