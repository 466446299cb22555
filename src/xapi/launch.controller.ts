import { Param, Post, Res } from '@nestjs/common';
import type * as express from 'express';
import { LaunchService } from './launch.service.js';
import { XapiResource } from './xapi-resource.js';

/**
 * cmi5's fetch URL of a launched xAPI app (`fetch` of its launch URL): `POST` answers the study session's
 * credential once, `{"auth-token": "..."}` (HTTP Basic), and cmi5's error body after (`error-code` 1,
 * "already in use", with 409; 3 with 404 for a URL no launch gave).
 */
@XapiResource()
export class LaunchController {
  constructor(private readonly launches: LaunchService) {}

  @Post('xapi/fetch/:registration')
  async fetch(@Param('registration') registration: string, @Res() response: express.Response) {
    const fetched = await this.launches.fetch(registration);
    response.status(fetched.status).setHeader('Cache-Control', 'no-store').json(fetched.body);
  }
}
