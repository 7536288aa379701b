package com.flintn.webhooks.common.event;

import com.flintn.webhooks.common.message.Event;

/** The result of reading one record of {@code webhooks.events}. */
public sealed interface ParsedEvent {

  /**
   * A valid envelope and its canonical bytes: the exact body every delivery of it POSTs and signs.
   */
  @SuppressWarnings("ArrayRecordComponent") // never compared or hashed; the bytes are read only
  record Valid(Event event, byte[] body) implements ParsedEvent {}

  /** A refused record; {@code detail} is one human-readable line without the record's content. */
  record Invalid(InvalidReason reason, String detail) implements ParsedEvent {}
}
