import { Module } from '@nestjs/common';

/**
 * The brook-server application module. Providers added here (or in modules it imports) may
 * declare extra commands with @Command; the RESP transport itself is wired by brookRootModule.
 */
@Module({})
export class AppModule {}
