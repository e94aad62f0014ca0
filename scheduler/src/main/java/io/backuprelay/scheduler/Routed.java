package io.backuprelay.scheduler;

/** A record the schedule processor emits, with the topic it goes to. */
record Routed(String topic, Object payload) {
}
