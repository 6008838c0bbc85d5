# The inputs: Debian packages (make deps, run first by every user-facing target), and the
# full-precision starting points (make pretrain; a paper-profile run trains its own).
.PHONY: deps check-deps pretrain
DEB_PKGS := libopenblas-dev libyaml-dev libjansson-dev libcriterion-dev gnuplot-nox zlib1g-dev pkg-config \
            dataset-fashion-mnist libprotobuf-c-dev protobuf-c-compiler libonnx-dev python3-onnx

# Installs the Debian packages in $(DEB_WANT) that are missing; a no-op when all are present.
# deps wants qbench's own packages; fuzz-deps (mk/fuzz.mk) wants clang's on top. dpkg-query
# names the installed ones among them (one call; a package it does not know is missing).
deb_missing = $(filter-out $(shell dpkg-query -W -f='$${Package} $${Status}\n' $(DEB_WANT) 2>/dev/null \
  | sed -n 's/ install ok installed$$//p'),$(DEB_WANT))
DEB_INSTALL = @missing="$(deb_missing)"; \
	if [ -n "$$missing" ]; then \
	  echo "make $@: installing $$missing"; \
	  SUDO=$$([ $$(id -u) -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	else echo "make $@: all packages present"; fi

deps: DEB_WANT = $(DEB_PKGS)
deps:
	$(DEB_INSTALL)

# Every user-facing target runs deps first, so a fresh machine needs no separate step.
check-deps:
	@command -v pkg-config >/dev/null && pkg-config --exists $(PKGS) criterion \
	  && [ -d /usr/share/datasets/fashion-mnist ] && command -v protoc-c >/dev/null \
	  && [ -f $(ONNX_PROTO) ] || $(MAKE) --no-print-directory deps

# Full-precision starting points. A recipe is `qbench train` flags in PRETRAIN_<name>: <name>
# is a data set (every <net>-<data set>.ckpt) or one checkpoint (<net>-<data set>, on top of
# its data set's). qbench's own targets run with OpenBLAS's auto-detected kernels
# (docs/benchmarks.md: faster here than the Haswell kernels the environment's
# OPENBLAS_CORETYPE forces). An interrupted pretraining resumes from its .partial checkpoint.
PRETRAINED := nets/pretrained
PRETRAIN_THREADS ?= 2
# Fashion-MNIST, for the quick profiles: committed under nets/pretrained/ with their logs.
PRETRAIN_fmnist := --data fmnist --batch 128 --lr 0.1 --schedule cosine --crop-pad 2 --seed 1
PRETRAIN_resnet20-fmnist := --net resnet20 --epochs 30 --weight-decay 5e-4
PRETRAIN_small_cnn-fmnist := --net small_cnn --epochs 15 --weight-decay 5e-4
PRETRAIN_resnet18-w0.25-fmnist := --net resnet18 --width 0.25 --epochs 10 --weight-decay 5e-4
PRETRAIN_resnet34-w0.25-fmnist := --net resnet34 --width 0.25 --epochs 10 --weight-decay 5e-4
PRETRAIN_mobilenet_v2-fmnist := --net mobilenet_v2 --epochs 10 --weight-decay 4e-5
FMNIST_PRETRAINED := resnet20 small_cnn resnet18-w0.25 resnet34-w0.25 mobilenet_v2
.PHONY: pretrain
pretrain: $(FMNIST_PRETRAINED:%=$(PRETRAINED)/%-fmnist.ckpt)
$(PRETRAINED)/%-fmnist.ckpt: | check-deps $(BIN)
	@[ -n "$(PRETRAIN_$*-fmnist)" ] || { echo "no pretraining recipe for $*"; exit 1; }
	@mkdir -p $(@D)
	@[ -e $@.partial ] || : > $(@:.ckpt=.log)
	set -o pipefail; $(BLAS_AUTO) $(BIN) train $(PRETRAIN_fmnist) $(PRETRAIN_$*-fmnist) \
	  --threads $(PRETRAIN_THREADS) --checkpoint $@.partial --resume 2>&1 | tee -a $(@:.ckpt=.log)
	mv $@.partial $@
# The paper profiles' starting points (not committed): a paper-profile run whose
# nets/pretrained/<net>-cifar10.ckpt or -imagenet.ckpt is missing trains it first, with the
# network, width and data of its cells (qbench needs --make writes the rule, run through
# the cell runner: here, or as a Slurm job with RUNNER=slurm). The papers fine-tune from
# published full-precision networks and print no recipe for them (ASQ paper §4.1.2: "the
# official PyTorch pre-trained full-precision model"; for CIFAR-10 ResNet-20 the ASQ code
# loads pytorchcv's resnet20_cifar10); qbench cannot read those files, so it trains its own:
# - CIFAR-10: the ASQ paper's CIFAR-10 optimiser, batch, weight decay and augmentation (§4.3:
#   SGD momentum 0.9, batch 128, weight decay 1e-4, random crop and flip) with the learning
#   rate He et al. train CIFAR ResNets at (0.1; "Deep Residual Learning", 2016, §4.2), on the
#   paper's cosine decay (§4.1.2) for 200 epochs (He et al.: 64k steps of 128, 164 epochs).
# - ImageNet: torchvision's ResNet recipe (references/classification: 90 epochs, batch 256,
#   SGD lr 0.1 momentum 0.9, weight decay 1e-4, lr x0.1 every 30 epochs). For MobileNet-V2,
#   torchvision's lr 0.045 and weight decay 4e-5 over 300 epochs; its lr x0.98 every epoch is
#   no schedule qbench has, so cosine over the same 300 epochs.
# Override any of them on the command line (make ... PRETRAIN_cifar10="..."), or start from
# checkpoints of your own: SET=train.from=PATH ({net} stands for the network).
PRETRAIN_cifar10 ?= --batch 128 --optimizer sgd --momentum 0.9 --lr 0.1 --schedule cosine \
  --epochs 200 --weight-decay 1e-4 --bn-weight-decay 1e-4 --crop-pad 4 --seed 1
PRETRAIN_imagenet ?= --batch 256 --optimizer sgd --momentum 0.9 --lr 0.1 --schedule step \
  --milestones 30,60 --gamma 0.1 --epochs 90 --weight-decay 1e-4 --bn-weight-decay 1e-4 \
  --crop-pad 0 --seed 1
PRETRAIN_mobilenet_v2-imagenet ?= --lr 0.045 --schedule cosine --epochs 300 --weight-decay 4e-5 \
  --bn-weight-decay 4e-5
# Every recipe, for qbench rules (its fragment checks them, and plans, before anything runs).
pretrain_flags = $(foreach v,$(filter-out PRETRAIN_THREADS,$(filter PRETRAIN_%,$(.VARIABLES))),\
  --pretrain '$(v:PRETRAIN_%=%)=$($(v))')
