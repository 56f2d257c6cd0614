package vrrec.neo4jtest;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * Starts Neo4j Community embedded for tests: Bolt on 127.0.0.1 without auth or
 * TLS, small memory, a temporary data directory. Prints exactly one line,
 * {@code READY bolt://127.0.0.1:PORT}, on standard output once Bolt accepts
 * connections; everything else goes to standard error or Neo4j's own logs.
 *
 * <p>Usage: {@code java -jar neo4j-test-server.jar [PORT] [--data-dir DIR]}.
 * PORT 0 (the default) picks a free port. Without --data-dir the data lives
 * in a fresh temporary directory deleted on exit; with it the directory is
 * kept, so a test can stop the server and start it again on the same port
 * and data, as after an outage.
 *
 * <p>It stops cleanly when standard input closes (the parent process went
 * away or closed the pipe) or on SIGTERM/SIGINT.
 */
public final class Main {
    /** Past this, a shutdown that hangs is cut short so no JVM lingers. */
    private static final Duration SHUTDOWN_LIMIT = Duration.ofSeconds(30);

    private static DatabaseManagementService dbms;
    private static Path dataDir;
    private static boolean deleteDataDir;
    private static boolean stopped;

    public static void main(String[] args) throws Exception {
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data-dir" -> {
                    if (++i == args.length) {
                        usage("--data-dir needs a directory");
                    }
                    dataDir = Path.of(args[i]).toAbsolutePath();
                }
                case "-h", "--help" -> usage(null);
                default -> {
                    try {
                        port = Integer.parseInt(args[i]);
                    } catch (NumberFormatException e) {
                        usage("unknown argument " + args[i]);
                    }
                }
            }
        }
        if (dataDir == null) {
            dataDir = Files.createTempDirectory("neo4j-test-server-");
            deleteDataDir = true;
        } else {
            Files.createDirectories(dataDir);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(Main::stop, "neo4j-test-server-shutdown"));

        synchronized (Main.class) {
            dbms = new DatabaseManagementServiceBuilder(dataDir)
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    .setConfig(GraphDatabaseSettings.auth_enabled, false)
                    // Tests hold a few thousand nodes: a small page cache is plenty,
                    // and the default (half the RAM) would not be modest.
                    .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(64))
                    // Preallocated 256 MiB transaction logs would dominate a test's disk use.
                    .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
                    // Bolt waits 5 s, twice, for idle threads and connections
                    // on shutdown; tests that stop the server should not.
                    .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofMillis(200))
                    .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(200))
                    .build();
        }

        int boundPort = boltPort(port);
        waitForBolt(boundPort, Duration.ofSeconds(60));
        System.out.println("READY bolt://127.0.0.1:" + boundPort);
        System.out.flush();

        // Block until the parent closes our standard input, then stop.
        InputStream in = System.in;
        byte[] buf = new byte[256];
        try {
            while (in.read(buf) >= 0) {
                // Input is ignored; only its end matters.
            }
        } catch (IOException ignored) {
            // A broken pipe means the parent is gone: stop as for EOF.
        }
        System.exit(0); // runs the shutdown hook
    }

    /** The port Bolt actually listens on, which differs from the one asked for when that was 0. */
    private static int boltPort(int requested) {
        GraphDatabaseAPI system = (GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        ConnectorPortRegister ports = system.getDependencyResolver().resolveDependency(ConnectorPortRegister.class);
        var address = ports.getLocalAddress(ConnectorType.BOLT);
        return address != null ? address.getPort() : requested;
    }

    private static void waitForBolt(int port, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    System.err.println("Bolt did not accept connections on port " + port + ": " + e);
                    System.exit(1);
                }
                Thread.sleep(50);
            }
        }
    }

    /** Shuts Neo4j down and removes a temporary data directory; safe to call twice. */
    private static void stop() {
        synchronized (Main.class) {
            if (stopped) {
                return;
            }
            stopped = true;
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(SHUTDOWN_LIMIT.toMillis());
                    System.err.println("neo4j-test-server: shutdown took too long, halting");
                    Runtime.getRuntime().halt(1);
                } catch (InterruptedException ignored) {
                    // Shutdown finished in time.
                }
            }, "neo4j-test-server-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            try {
                if (dbms != null) {
                    dbms.shutdown();
                }
            } catch (RuntimeException e) {
                System.err.println("neo4j-test-server: shutdown: " + e);
            }
            if (deleteDataDir) {
                deleteTree(dataDir);
            }
            watchdog.interrupt();
        }
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("neo4j-test-server: remove " + root + ": " + e);
        }
    }

    private static void usage(String problem) {
        if (problem != null) {
            System.err.println("neo4j-test-server: " + problem);
        }
        System.err.println("usage: java -jar neo4j-test-server.jar [PORT] [--data-dir DIR]");
        System.exit(problem == null ? 0 : 2);
    }
}
