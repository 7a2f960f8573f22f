import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

/** OpenAPI from the route schemas (the single source), browsable at /docs. */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        info: { title: 'Vigil alerts API', version: '0.1.0', description: 'Alerts, evidence, live feed, flood levels and webhooks for city operations centres.' },
        components: {
          securitySchemes: {
            session: { type: 'apiKey', in: 'cookie', name: 'vigil_session' },
            token: { type: 'http', scheme: 'bearer', description: 'API token (vgt_...) created by an admin.' },
          },
        },
        security: [{ session: [] }, { token: [] }],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  },
  { name: 'swagger' },
);
