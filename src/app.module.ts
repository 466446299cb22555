import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { validateEnvironment } from './core/config.js';
import { DatabaseModule } from './core/database.js';
import { GroupsModule } from './groups/groups.module.js';
import { WordsModule } from './words/words.module.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, cache: true, validate: validateEnvironment }),
    DatabaseModule,
    WordsModule,
    GroupsModule,
  ],
})
export class AppModule {}
