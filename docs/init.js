// Starts Swagger UI on the page served by package docs. It is a file of
// its own, not an inline script, so the page's Content-Security-Policy
// can forbid inline scripts; the document URL comes from a data attribute.
"use strict";
(function () {
  var el = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: el.dataset.url,
    domNode: el,
    deepLinking: true,
    // The default validator badge would fetch an image from another host.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
