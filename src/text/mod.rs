//! Text layer: character sets, segmentation, reassembly. (being written)
