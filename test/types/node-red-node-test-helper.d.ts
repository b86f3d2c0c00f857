// The test helper ships no types; the tests use a small part of it.
declare module 'node-red-node-test-helper' {
  const helper: {
    init(runtimePath: string, settings?: object): void;
    load(nodes: unknown[], flow: object[], credentials?: object): Promise<void>;
    unload(): Promise<void>;
    /** A deploy of new flows into the loaded runtime (full: every node stopped and started again). */
    setFlows(flow: object[], type?: 'full' | 'flows' | 'nodes', credentials?: object): Promise<void>;
    getNode(id: string): any;
    request(): any;
    startServer(done?: (err?: Error) => void): Promise<void> | void;
    stopServer(done?: (err?: Error) => void): Promise<void> | void;
    settings(settings: object): object;
    clearFlows(): Promise<void>;
    log(): any;
  };
  export default helper;
}
