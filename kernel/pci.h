/*
 * pci.h: PCI configuration space through the legacy ports 0xcf8/0xcfc
 * (configuration mechanism #1), enough to find one device and turn it on.
 *
 * The kernel uses it for the legacy virtio block device (virtio_blk.h):
 * find it by vendor and device id, read its I/O BAR, set the command
 * register's I/O-space and bus-master bits. Also the 16- and 32-bit port
 * I/O that such a device needs (kernel/x86.h has the byte and write forms).
 */
#ifndef DYNFLAGS_PCI_H
#define DYNFLAGS_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_COMMAND_IO      (1u << 0)
#define PCI_COMMAND_MEMORY  (1u << 1)
#define PCI_COMMAND_MASTER  (1u << 2)

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
};

static inline uint16_t pci_inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t pci_inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t offset);
uint16_t pci_read16(const struct pci_dev *d, uint8_t offset);
void pci_write16(const struct pci_dev *d, uint8_t offset, uint16_t value);

/*
 * Scan buses 0..255 for the first function with this vendor and device
 * id. Returns true and fills *out, or false when there is none.
 */
bool pci_find(uint16_t vendor, uint16_t device, struct pci_dev *out);

/* BAR n (0..5) as read: bit 0 set for an I/O BAR. */
uint32_t pci_bar(const struct pci_dev *d, unsigned int n);

/* Set `bits` (PCI_COMMAND_*) in the command register. */
void pci_enable(const struct pci_dev *d, uint16_t bits);

#endif
