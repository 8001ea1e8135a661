package io.sluice.online.format;

import feast.proto.types.ValueProto.Value;
import io.sluice.common.feast.Column;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.FeatureRow;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.InvalidFeatureValueException;
import io.sluice.online.WriteStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a view's {@link FeatureRow}s into the bytes every Feast online store shares: the entity key
 * and one serialized {@code ValueProto.Value} per feature. Store layouts build on these.
 */
public final class RowEncoder {
  private final FeatureViewSchema view;
  private final EntityKeySerializer keys;

  /**
   * One encoded row: entity key bytes and serialized values in the order of the view's features,
   * and the same values as protos, for stores that also keep a text or number form of each (see
   * {@link ValueTextAndNumber}).
   */
  public record EncodedRow(
      byte[] entityKey,
      Instant eventTimestamp,
      Instant createdTimestamp,
      byte[][] values,
      Value[] protos) {}

  public RowEncoder(FeatureViewSchema view, EntityKeyFormat format) {
    this.view = view;
    this.keys = new EntityKeySerializer(view.joinKeys(), format);
  }

  public FeatureViewSchema view() {
    return view;
  }

  /**
   * Encodes a whole batch before anything of it is sent, so a bad row fails the batch with nothing
   * written; the failure carries the writer's progress so far ({@code acknowledged}).
   */
  public List<EncodedRow> encodeBatch(List<FeatureRow> batch, WriteStats acknowledged) {
    List<EncodedRow> rows = new ArrayList<>(batch.size());
    try {
      for (FeatureRow row : batch) {
        rows.add(encode(row));
      }
    } catch (InvalidFeatureValueException e) {
      throw e.withProgress(acknowledged, batch.size());
    }
    return rows;
  }

  /**
   * Encodes one row.
   *
   * @throws InvalidFeatureValueException for a null join key or a value that does not fit its type
   */
  public EncodedRow encode(FeatureRow row) {
    List<Column> features = view.features();
    List<Object> values = row.featureValues();
    if (values.size() != features.size()) {
      throw new IllegalArgumentException(
          "Invalid row for feature view "
              + view.name()
              + ": "
              + values.size()
              + " feature values for "
              + features.size()
              + " features");
    }
    byte[] entityKey;
    try {
      entityKey = keys.serialize(row.joinKeyValues());
    } catch (InvalidFeatureValueException e) {
      throw new InvalidFeatureValueException(
          "Cannot write feature view " + view.name() + ": " + e.getMessage());
    }
    byte[][] encoded = new byte[features.size()][];
    Value[] protos = new Value[features.size()];
    for (int i = 0; i < encoded.length; i++) {
      Column feature = features.get(i);
      try {
        protos[i] = ValueEncoder.encode(feature.name(), feature.type(), values.get(i));
        encoded[i] = protos[i].toByteArray();
      } catch (InvalidFeatureValueException e) {
        throw new InvalidFeatureValueException(
            "Cannot write feature view "
                + view.name()
                + " for entity "
                + row.joinKeyValues()
                + ": "
                + e.getMessage());
      }
    }
    return new EncodedRow(entityKey, row.eventTimestamp(), row.createdTimestamp(), encoded, protos);
  }
}
