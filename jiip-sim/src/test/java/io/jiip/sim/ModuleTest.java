package io.jiip.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** jiip-sim needs nothing at run time beyond jiip-core (and java.base), and is Java 17 bytecode. */
class ModuleTest {

    @Test
    void requiresOnlyJiipCore() throws IOException {
        URL where = Simulation.class.getProtectionDomain().getCodeSource().getLocation();
        Path classes = Path.of(URI.create(where.toString()));
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            ModuleDescriptor d = ModuleDescriptor.read(in);
            assertEquals("io.jiip.sim", d.name());
            Set<String> requires = new TreeSet<>();
            d.requires().forEach(r -> requires.add(r.name()));
            assertEquals(Set.of("io.jiip.core", "java.base"), requires);
        }
    }

    @Test
    void isJava17Bytecode() throws IOException {
        try (DataInputStream in = new DataInputStream(Simulation.class.getResourceAsStream("Simulation.class"))) {
            assertEquals(0xcafebabe, in.readInt());
            in.readUnsignedShort();
            assertEquals(61, in.readUnsignedShort());
        }
    }
}
