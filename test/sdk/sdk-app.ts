/**
 * Nest apps for the SDK suites: a testing module importing BrookModule with the given options
 * and providers, initialised (so @OnMessage handlers consume) and closed by the caller.
 */
import { Test, type TestingModule } from '@nestjs/testing';
import type { Provider } from '@nestjs/common';
import { BrookModule, type BrookModuleOptions } from '@brook/sdk';

export async function startApp(options: BrookModuleOptions, providers: Provider[] = []): Promise<TestingModule> {
  const app = await Test.createTestingModule({ imports: [BrookModule.forRoot(options)], providers }).compile();
  await app.init();
  return app;
}

/** Closes apps in reverse order (an embedded host last, after the apps connected to it). */
export async function closeApps(apps: TestingModule[]): Promise<void> {
  for (const app of apps.splice(0).reverse()) await app.close();
}
