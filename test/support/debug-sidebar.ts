/**
 * What the editor receives from a running Node-RED over its comms websocket (/comms): every debug
 * node's messages (the debug sidebar) and every node status, in order. For the e2e suites that
 * start a real Node-RED process and read it as a user reads the editor.
 */
import WebSocket from 'ws';

/** One comms event as Node-RED sends it: `debug` or `status/<node id>`. */
export interface CommsEvent {
  topic: string;
  data: any;
}

export interface DebugMessage {
  id: string;
  name: string;
  /** The payload (or msg.error) as the sidebar shows it: parsed when it is JSON, else the text. */
  value: any;
}

export class DebugSidebar {
  /** Every event, in the order received. */
  readonly events: CommsEvent[] = [];
  readonly messages: DebugMessage[] = [];
  /** The last status text of each node. */
  readonly status = new Map<string, string>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      for (const event of JSON.parse(String(data)) as CommsEvent[]) {
        this.events.push(event);
        if (event.topic.startsWith('status/')) this.status.set(event.topic.slice('status/'.length), String(event.data?.text ?? ''));
        if (event.topic !== 'debug') continue;
        let value: unknown = event.data.msg;
        try {
          value = JSON.parse(event.data.msg);
        } catch {
          /* a plain string */
        }
        this.messages.push({ id: event.data.id, name: event.data.name, value });
      }
    });
  }

  /** Connects to the Node-RED on 127.0.0.1:port and subscribes to the debug messages and the node statuses. */
  static async open(port: number): Promise<DebugSidebar> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/comms`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ subscribe: 'debug' }));
    ws.send(JSON.stringify({ subscribe: 'status/#' }));
    return new DebugSidebar(ws);
  }

  /** The messages a debug node showed, oldest first. */
  of(node: { id: string } | string): any[] {
    const id = typeof node === 'string' ? node : node.id;
    return this.messages.filter((m) => m.id === id).map((m) => m.value);
  }

  /** Every status text a node showed, oldest first. */
  statuses(node: { id: string } | string): string[] {
    const topic = `status/${typeof node === 'string' ? node : node.id}`;
    return this.events.filter((e) => e.topic === topic).map((e) => String(e.data?.text ?? ''));
  }

  /** "<node id>: <text>" of every red (error) status shown so far. */
  redStatuses(): string[] {
    return this.events.filter((e) => e.topic.startsWith('status/') && e.data?.fill === 'red').map((e) => `${e.topic.slice('status/'.length)}: ${e.data.text}`);
  }

  close(): void {
    this.ws.close();
  }
}
