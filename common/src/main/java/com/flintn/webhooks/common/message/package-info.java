/**
 * The messages on Kafka (docs/design.md §3): immutable records with snake_case wire names,
 * validated in their constructors. Readers ignore unknown fields, so adding a field never breaks a
 * running consumer; removing or renaming one is a breaking change.
 */
package com.flintn.webhooks.common.message;
