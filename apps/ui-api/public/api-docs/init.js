// The Pulse API docs: Swagger UI on /api/v1/openapi.json, all served by ui-api itself (no CDN).
// "Try it out" runs in this origin, so the browser sends the session cookie; non-GET requests with a
// cookie also need the API's CSRF header, which the interceptor adds.
window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  withCredentials: true,
  tryItOutEnabled: true,
  requestInterceptor: (request) => {
    request.headers['X-Requested-With'] = 'pulse';
    return request;
  },
});
