package com.flintn.webhooks.common.eventtype;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventTypeNamesTest {
  private static final Set<String> CATALOGUE =
      Set.of("order.created", "order.paid", "order.refunded", "customer.updated");

  @Test
  void distanceCountsInsertionsDeletionsSubstitutionsAndAdjacentSwaps() {
    assertThat(EventTypeNames.distance("order.created", "order.created")).isZero();
    assertThat(EventTypeNames.distance("ordr.created", "order.created")).isEqualTo(1);
    assertThat(EventTypeNames.distance("order.createdd", "order.created")).isEqualTo(1);
    assertThat(EventTypeNames.distance("order.crested", "order.created")).isEqualTo(1);
    assertThat(EventTypeNames.distance("order.cerated", "order.created")).as("a swap").isEqualTo(1);
    assertThat(EventTypeNames.distance("", "abc")).isEqualTo(3);
    assertThat(EventTypeNames.distance("kitten", "sitting")).isEqualTo(3);
  }

  @Test
  void aTypoIsAnsweredWithTheClosestName() {
    assertThat(EventTypeNames.suggestion("ordr.created", CATALOGUE)).contains("order.created");
    assertThat(EventTypeNames.suggestion("order.payed", CATALOGUE)).contains("order.paid");
    assertThat(EventTypeNames.suggestion("Order.Created", CATALOGUE))
        .as("case alone is a typo")
        .contains("order.created");
    assertThat(EventTypeNames.suggestion("customer.update", CATALOGUE))
        .contains("customer.updated");
  }

  @Test
  void aNameFarFromEveryEntryGetsNoSuggestion() {
    assertThat(EventTypeNames.suggestion("user.deleted", CATALOGUE)).isEmpty();
    assertThat(EventTypeNames.suggestion("invoice.sent", CATALOGUE)).isEmpty();
    assertThat(EventTypeNames.suggestion("a.b", CATALOGUE)).isEmpty();
  }

  @Test
  void tiesGoToTheAlphabeticallyFirstName() {
    assertThat(EventTypeNames.suggestion("a.c", Set.of("a.d", "a.b"))).contains("a.b");
  }

  @Test
  void unknownTypesAreListedInRequestOrderWithTheirSuggestions() {
    assertThat(
            EventTypeNames.unknown(
                List.of("order.paid", "ordr.created", "invoice.sent"), CATALOGUE, List.of()))
        .containsExactly(
            new EventTypeNames.Unknown("ordr.created", Optional.of("order.created")),
            new EventTypeNames.Unknown("invoice.sent", Optional.empty()));
  }

  @Test
  void theWildcardAndAlreadySubscribedTypesPass() {
    assertThat(EventTypeNames.unknown(List.of("*"), CATALOGUE, List.of())).isEmpty();
    assertThat(EventTypeNames.unknown(List.of("order.shipped"), CATALOGUE, List.of())).hasSize(1);
    assertThat(
            EventTypeNames.unknown(
                List.of("order.shipped", "order.paid"), CATALOGUE, List.of("order.shipped")))
        .as("removed from the catalogue after it was subscribed")
        .isEmpty();
  }

  @Test
  void anEmptyCatalogueAcceptsAnyName() {
    assertThat(EventTypeNames.unknown(List.of("anything.at.all"), Set.of(), List.of())).isEmpty();
  }
}
