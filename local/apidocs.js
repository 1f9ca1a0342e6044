"use strict";
// Swagger UI on the OpenAPI document the page names (data-openapi-url); its assets are served beside the
// page, so nothing is fetched from anywhere else (no CDN, no validator badge).
window.addEventListener("load", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,
    displayRequestDuration: true,
  });
});
