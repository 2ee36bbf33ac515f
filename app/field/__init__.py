"""The field PWA: shell page, manifest, service worker, and Leaflet served from its pip package."""
