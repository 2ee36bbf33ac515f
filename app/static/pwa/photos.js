// Photos: downscaled on the phone through a canvas and re-encoded as JPEG (which drops all EXIF,
// GPS position and camera data), named by SHA-256 and uploaded before the push that names them.
import { api, NetworkError, problemText } from "./api.js";
import { get, put } from "./db.js";

const MAX_SIDE = 1600;
const QUALITY = 0.82;

function hex(buffer) {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Downscale and re-encode a picked file; store it locally and return its sha256. */
export async function preparePhoto(file) {
  // createImageBitmap applies the EXIF orientation, so the re-encoded JPEG needs none.
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
  const sha = hex(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
  if (!(await get("photos", sha))) {
    await put("photos", { sha, blob, uploaded: false, error: null, width: canvas.width, height: canvas.height });
  }
  return sha;
}

/** An object URL for a photo: the local copy, or fetched with the token when online. */
export async function photoUrl(sha) {
  let row = await get("photos", sha);
  if (!row) {
    const token = (await get("meta", "token"))?.value?.token;
    try {
      const response = await fetch(`/api/v1/attachments/${sha}`, {
        headers: token ? { Authorization: `Bearer ${token}` } : {}, credentials: "omit",
      });
      if (!response.ok) return null;
      row = { sha, blob: await response.blob(), uploaded: true, error: null };
      await put("photos", row);
    } catch (error) {
      return null;
    }
  }
  return URL.createObjectURL(row.blob);
}

/**
 * Upload the named photos that are not on the server yet.
 *
 * Network trouble and 5xx throw (the sync retries later); a 401 throws with status 401; a photo the
 * server refuses (400/413) is marked with the reason and does not hold up the records.
 */
export async function uploadPhotos(shas) {
  for (const sha of new Set(shas)) {
    const row = await get("photos", sha);
    if (!row || row.uploaded) continue;
    const result = await api(`/api/v1/attachments/${sha}`, { method: "PUT", body: row.blob, contentType: "image/jpeg" });
    if (result.status === 200 || result.status === 201) {
      await put("photos", { ...row, uploaded: true, error: null });
    } else if (result.status === 400 || result.status === 413 || result.status === 415) {
      await put("photos", { ...row, error: problemText(result) });
    } else {
      const error = new NetworkError(`foto uploaden: ${problemText(result)}`);
      error.status = result.status;
      throw error;
    }
  }
}
