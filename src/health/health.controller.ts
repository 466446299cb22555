import { SkipThrottle } from '@nestjs/throttler';
import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  MikroOrmHealthIndicator,
} from '@nestjs/terminus';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../http/problem-document.js';
import { within } from '../core/time-limit.js';
import { HealthDto } from './dto/health.dto.js';

/** How long each check may wait for the database: a probe must answer before a load balancer gives up on it. */
const CHECK_TIMEOUT_MS = 1500;

@ApiTags('health')
@SkipThrottle()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: MikroOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly orm: MikroORM,
  ) {}

  @Get('health')
  @ApiOperation({ summary: 'Liveness: the server answers' })
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({ type: HealthDto, description: 'The server is up (no checks: `info`, `error` and `details` empty).' })
  @ApiProblems(400, 503)
  async live() {
    try {
      return await this.health.check([]);
    } catch (error) {
      throw explained(error);
    }
  }

  @Get('health/ready')
  @ApiOperation({ summary: 'Readiness: the database answers and no migration is pending' })
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({ type: HealthDto, description: 'Ready: the database and migrations checks under `info`.' })
  @ApiProblems(400, 503)
  async ready() {
    try {
      return await this.health.check([
        // The application's connection, rather than terminus's look-up, which imports @mikro-orm/core by name at run
        // time: a second copy of it beside the bundle's, whose MikroORM the application does not have.
        () =>
          this.database.pingCheck('database', { timeout: CHECK_TIMEOUT_MS, connection: this.orm.em.getConnection() }),
        async () => {
          const check = this.indicators.check('migrations');
          let pending: string[];
          try {
            // A database that never answers (PostgreSQL cut off by the network) held the probe until the connection
            // gave up, minutes later, although the ping above had timed out.
            const migrations = await within(CHECK_TIMEOUT_MS, this.orm.migrator.getPending());
            pending = migrations.map((migration) => migration.name);
          } catch {
            // A database that does not answer fails the check above; thrown, the driver's error would make the
            // probe a 500 instead of that 503 (and its message is no client's business).
            return check.down({ message: 'The applied migrations could not be read' });
          }
          return pending.length === 0 ? check.up() : check.down({ pending });
        },
      ]);
    } catch (error) {
      throw explained(error);
    }
  }
}

/**
 * terminus's 503 as a problem's detail: the checks that failed, or that the server is stopping (from SIGTERM on, a
 * request on a connection kept alive is still answered), which it said as "Service Unavailable Exception".
 */
function explained(error: unknown): unknown {
  if (!(error instanceof ServiceUnavailableException)) {
    return error;
  }
  const { status, error: failed = {} } = error.getResponse() as HealthCheckResult;
  if (status === 'shutting_down') {
    return new ServiceUnavailableException('The server is stopping: retry in a moment, on a new connection');
  }
  return new ServiceUnavailableException(
    `Not ready: ${Object.entries(failed)
      .map(([name, detail]) => `${name} ${JSON.stringify(detail)}`)
      .join('; ')}`,
  );
}
