package dev.stagefleet.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProtobufBodiesTest {
  static byte[] envelope(String apiVersion, String kind, com.google.protobuf.Message object) {
    var out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {'k', '8', 's', 0});
    out.writeBytes(Runtime.Unknown.newBuilder()
        .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
        .setRaw(object.toByteString()).build().toByteArray());
    return out.toByteArray();
  }

  @Test
  void readsASecretAsTheJsonEncodingWritesIt() {
    var secret = V1.Secret.newBuilder()
        .setMetadata(Meta.ObjectMeta.newBuilder().setName("key").setNamespace("").setGeneration(0)
            .setCreationTimestamp(Meta.Time.newBuilder()))
        .putData("apiKey", com.google.protobuf.ByteString.copyFrom("abc", StandardCharsets.UTF_8))
        .setType("Opaque").build();
    assertThat(ProtobufBodies.toJson(envelope("v1", "Secret", secret)).toString()).isEqualTo(
        "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"key\"},\"data\":{\"apiKey\":\"YWJj\"},"
            + "\"type\":\"Opaque\"}");
  }

  @Test
  void refusesABodyWithoutTheEnvelope() {
    assertThatThrownBy(() -> ProtobufBodies.toJson("{}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
  }

  @Test
  void refusesAKindItHasNoMessageFor() {
    assertThatThrownBy(() -> ProtobufBodies.toJson(envelope("live.stagefleet.dev/v1alpha1", "LiveBroadcast",
        V1.Secret.getDefaultInstance())))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(415));
  }
}
