import { BaseRpcContext } from '@nestjs/microservices';

type BrookContextArgs = [stream: string, id: string, deliveryCount: number, group: string];

/** What `@Ctx()` gives a handler of the Brook transport: where the entry came from and how often it was delivered. */
export class BrookContext extends BaseRpcContext<BrookContextArgs> {
  /** The stream key the entry was read from (`<prefix>:<pattern>`). */
  getStream(): string {
    return this.args[0];
  }

  /** The entry ID in that stream. */
  getId(): string {
    return this.args[1];
  }

  /** 1 on the first delivery, more when the entry was reclaimed after a failure or a dead consumer. */
  getDeliveryCount(): number {
    return this.args[2];
  }

  /** The consumer group the server reads through. */
  getGroup(): string {
    return this.args[3];
  }
}
