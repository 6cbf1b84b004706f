package dev.stagefleet.gateway;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs tokens with the key held in one named Secret, which it watches (a watch restricted to that name): the gateway
 * starts before the Secret exists, reports why it is not ready, and picks up the key within seconds of its creation
 * or rotation.
 */
final class KeySecretTokenMinter implements TokenMinter, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KeySecretTokenMinter.class);

  private final String secret;
  private final Clock clock;
  private final SharedIndexInformer<Secret> informer;
  /** The minter for the key last read; null until a usable Secret was seen. */
  private final AtomicReference<SelfSignedTokenMinter> current = new AtomicReference<>();
  private final AtomicReference<String> problem = new AtomicReference<>();
  private CompletableFuture<Void> listed = CompletableFuture.completedFuture(null);

  private KeySecretTokenMinter(KubernetesClient client, String namespace, String name, Clock clock) {
    this.secret = namespace + "/" + name;
    this.clock = clock;
    this.problem.set(missing());
    this.informer = client.secrets().inNamespace(namespace).withName(name).runnableInformer(0);
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Secret obj) {
        read(obj);
      }

      @Override
      public void onUpdate(Secret oldObj, Secret newObj) {
        read(newObj);
      }

      @Override
      public void onDelete(Secret obj, boolean deletedFinalStateUnknown) {
        // tokens signed with the last key stay valid while its public half is in IVS; keep signing with it
        LOG.warn("the key Secret {} was deleted; signing with the key last read until a new one appears", secret);
      }
    });
    informer.exceptionHandler((started, t) -> {
      LOG.warn("watching the key Secret {} failed, retrying: {}", secret, t.getMessage());
      return true;
    });
  }

  /**
   * Starts watching the Secret {@code namespace/name} (as {@code --key-secret} writes it) and returns at once; tokens
   * can be minted once the Secret has been read.
   */
  static KeySecretTokenMinter watch(KubernetesClient client, String namespaceAndName, Clock clock) {
    String[] parts = namespaceAndName.split("/", 2);
    if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
      throw new IllegalArgumentException("--key-secret must be namespace/name, not \"" + namespaceAndName + "\"");
    }
    KeySecretTokenMinter minter = new KeySecretTokenMinter(client, parts[0].strip(), parts[1].strip(), clock);
    // the store is read once listed, so a Secret that exists at start is in use when the future completes
    minter.listed = minter.informer.start().toCompletableFuture()
        .thenRun(() -> minter.informer.getStore().list().forEach(minter::read));
    return minter;
  }

  /** Completes once the Secret has been looked for (and read, if it exists). */
  CompletableFuture<Void> listed() {
    return listed;
  }

  private void read(Secret obj) {
    try {
      SigningKey key = SigningKeySecret.read(obj, secret);
      SelfSignedTokenMinter previous = current.getAndSet(new SelfSignedTokenMinter(key, clock));
      problem.set(null);
      if (previous == null || !previous.publicKeyArn().equals(key.publicKeyArn())) {
        LOG.info("signing participant tokens with the key {} from the Secret {}", key.publicKeyArn(), secret);
      }
    } catch (IllegalArgumentException e) {
      // a Secret being written by hand may be incomplete for a moment; keep the last good key, if any
      String reason = e.getMessage();
      LOG.warn("the key Secret {} is not usable: {}", secret, reason);
      if (current.get() == null) {
        problem.set(reason);
      }
    }
  }

  private String missing() {
    return "the key Secret " + secret + " does not exist yet; create it with: stagefleet keys create --key-secret "
        + secret + " ... | kubectl apply -f -";
  }

  @Override
  public MintedToken mint(TokenRequest request) {
    SelfSignedTokenMinter minter = current.get();
    if (minter == null) {
      throw new KeyUnavailableException(notReadyReason().orElse(missing()));
    }
    return minter.mint(request);
  }

  @Override
  public String mode() {
    return "self-signed";
  }

  @Override
  public String signer() {
    // every key the Secret holds is signed with by the same provider, so it is known before the key exists
    return dev.stagefleet.crypto.Es384Provider.fastest().name();
  }

  @Override
  public Optional<String> notReadyReason() {
    return current.get() != null ? Optional.empty() : Optional.ofNullable(problem.get()).or(() -> Optional.of(missing()));
  }

  @Override
  public Optional<byte[]> claimKeyMaterial() {
    return Optional.ofNullable(current.get()).flatMap(SelfSignedTokenMinter::claimKeyMaterial);
  }

  /** The ARN of the public key tokens are signed for now; empty before the Secret was read. */
  public Optional<String> publicKeyArn() {
    return Optional.ofNullable(current.get()).map(SelfSignedTokenMinter::publicKeyArn);
  }

  @Override
  public void close() {
    informer.close();
  }

  /** No key has been read yet, so no token can be signed. */
  public static final class KeyUnavailableException extends RuntimeException {
    KeyUnavailableException(String message) {
      super(message);
    }
  }
}
