// "Use my location": progressive enhancement for any element with [data-locate].
// The element (and its [data-locate-container], if any) is hidden in the HTML and shown here only when the
// browser offers geolocation, so without JavaScript it never appears. A click sends the reader to
// /find?lat=…&lng=… (or the element's data-find-url), which redirects to their team's page. Messages go to
// an aria-live region: the element named by aria-describedby, or one created after the element.
// Loaded as a module, so a page that includes it twice still runs it once.

const MESSAGES = {
  finding: "Finding your location…",
  found: "Found your location. Opening your team's page…",
  1: "We could not use your location because permission was not given. Enter your postcode instead.",
  2: "Your location is not available at the moment. Enter your postcode instead.",
  3: "Finding your location took too long. Try again, or enter your postcode instead.",
  unsupported: "Your browser cannot share your location. Enter your postcode instead.",
};

function statusFor(element) {
  const id = element.getAttribute("aria-describedby");
  const existing = id && document.getElementById(id);
  if (existing) return existing;
  const status = document.createElement("p");
  status.className = "govuk-body portal-locate__status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  element.insertAdjacentElement("afterend", status);
  return status;
}

function enhance(element) {
  if (element.dataset.locateReady) return;
  element.dataset.locateReady = "true";
  if (!("geolocation" in navigator)) return; // stays hidden: there is nothing it could do
  const container = element.closest("[data-locate-container]");
  if (container) container.hidden = false;
  element.hidden = false;
  const status = statusFor(element);
  const say = (text) => {
    status.textContent = text;
  };
  let busy = false;

  element.addEventListener("click", (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    element.setAttribute("aria-busy", "true");
    say(MESSAGES.finding);
    const done = () => {
      busy = false;
      element.removeAttribute("aria-busy");
    };
    try {
      navigator.geolocation.getCurrentPosition(
        (position) => {
          const url = new URL(element.dataset.findUrl || "/find", window.location.href);
          url.searchParams.set("lat", position.coords.latitude.toFixed(5));
          url.searchParams.set("lng", position.coords.longitude.toFixed(5));
          say(MESSAGES.found);
          done();
          window.location.assign(url.pathname + url.search);
        },
        (error) => {
          done();
          say(MESSAGES[error.code] || MESSAGES[2]);
        },
        { enableHighAccuracy: false, timeout: 20000, maximumAge: 300000 },
      );
    } catch {
      done();
      say(MESSAGES.unsupported);
    }
  });
}

document.querySelectorAll("[data-locate]").forEach(enhance);
