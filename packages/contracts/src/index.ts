/**
 * What crosses a process boundary: Kafka topics and event schemas, queue names and job payloads,
 * the device API schemas. Devices and the simulator depend on this package only.
 */
export {};
