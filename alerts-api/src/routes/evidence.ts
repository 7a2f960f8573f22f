import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors } from './schemas.js';
import { notFound } from '../errors.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/evidence/:sha256',
    {
      // The signature is the authorisation: links from an alert detail work in <img> tags and expire.
      config: { permission: 'public' },
      schema: {
        tags: ['alerts'],
        summary: 'Evidence bytes by sha256, through a signed, expiring link from the alert detail.',
        params: Type.Object({ sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) }),
        querystring: Type.Object({ exp: Type.Integer(), sig: Type.String({ pattern: '^[0-9a-f]{64}$' }) }),
        response: { 200: Type.Unknown({ description: 'The file, with its content type.' }), ...errors },
      },
    },
    async (req, reply) => {
      app.evidenceLinks.verify(req.params.sha256, req.query.exp, req.query.sig);
      const blob = await app.evidenceBlobs.read(req.params.sha256);
      if (!blob) throw notFound(`Evidence ${req.params.sha256} (not yet uploaded by the gateway, or expired by retention)`);
      return reply
        .header('content-type', blob.contentType)
        .header('cache-control', 'private, max-age=300, immutable')
        .header('x-content-sha256', req.params.sha256)
        .send(blob.data);
    },
  );
};
export default routes;
