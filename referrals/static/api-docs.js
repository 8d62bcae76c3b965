// Starts Swagger UI on /api/v1/docs with the document named by the page (no inline script).
(function () {
  "use strict";
  var container = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: container.getAttribute("data-spec-url"),
    domNode: container,
    deepLinking: true,
  });
})();
