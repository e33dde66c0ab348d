/* Starts Swagger UI on /api/docs (served by KeQi: no CDN, no inline script under the CSP). The settings (the
   OpenAPI address) come from the page's JSON block; requests sent with the session carry the CSRF token. */
(function () {
  "use strict";
  function start() {
    var config = JSON.parse(document.getElementById("swagger-settings").textContent);
    var token = document.body.dataset.csrfToken;
    config.dom_id = "#swagger-ui";
    config.presets = [window.SwaggerUIBundle.presets.apis];
    config.requestInterceptor = function (request) {
      if (token) { request.headers["X-CSRFToken"] = token; }
      return request;
    };
    window.SwaggerUIBundle(config);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
