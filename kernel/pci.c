/*
 * pci.c: PCI configuration mechanism #1 (see pci.h).
 *
 * A dword of configuration space is read by writing its address to 0xcf8
 * (bit 31 enable, bus << 16, device << 11, function << 8, offset & 0xfc)
 * and reading 0xcfc. A missing function reads as vendor 0xffff.
 */
#include <stdint.h>

#include "kernel/pci.h"
#include "kernel/x86.h"

#define PCI_ADDRESS 0xcf8
#define PCI_DATA    0xcfc

static uint32_t address(const struct pci_dev *d, uint8_t offset)
{
	return (1u << 31) | ((uint32_t)d->bus << 16) | ((uint32_t)d->dev << 11) |
	       ((uint32_t)d->fn << 8) | (offset & 0xfc);
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t offset)
{
	outl(PCI_ADDRESS, address(d, offset));
	return pci_inl(PCI_DATA);
}

uint16_t pci_read16(const struct pci_dev *d, uint8_t offset)
{
	return (uint16_t)(pci_read32(d, offset) >> ((offset & 2) * 8));
}

void pci_write16(const struct pci_dev *d, uint8_t offset, uint16_t value)
{
	outl(PCI_ADDRESS, address(d, offset));
	outw((uint16_t)(PCI_DATA + (offset & 2)), value);
}

bool pci_find(uint16_t vendor, uint16_t device, struct pci_dev *out)
{
	for (unsigned int bus = 0; bus < 256; bus++)
		for (unsigned int dev = 0; dev < 32; dev++)
			for (unsigned int fn = 0; fn < 8; fn++) {
				struct pci_dev d = { (uint8_t)bus, (uint8_t)dev, (uint8_t)fn, 0, 0 };
				uint32_t id = pci_read32(&d, 0);

				if ((id & 0xffff) == 0xffff) {
					if (fn == 0)
						break;   /* no device: skip its functions */
					continue;
				}
				d.vendor = id & 0xffff;
				d.device = id >> 16;
				if (d.vendor == vendor && d.device == device) {
					*out = d;
					return true;
				}
				/* Functions 1..7 only on a multi-function device. */
				if (fn == 0 && !(pci_read32(&d, 0x0c) & (0x80u << 16)))
					break;
			}
	return false;
}

uint32_t pci_bar(const struct pci_dev *d, unsigned int n)
{
	return pci_read32(d, (uint8_t)(0x10 + 4 * n));
}

void pci_enable(const struct pci_dev *d, uint16_t bits)
{
	pci_write16(d, 0x04, pci_read16(d, 0x04) | bits);
}
