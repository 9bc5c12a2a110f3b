// SPDX-License-Identifier: Apache-2.0

package vaccel

import "bytes"

// ImageOutputSize is the size of the buffers the image ops' text outputs are
// written into; longer outputs are truncated to ImageOutputSize-1 bytes, as
// C truncates them to the buffer it is given.
const ImageOutputSize = 1024

// ImageClassification classifies an encoded image (JPEG, PNG) with the
// session's first registered ResourceModel and returns the label text and
// the output image name the plugin reports.
func (s *Session) ImageClassification(image []byte) (text, imageName string, err error) {
	return s.image(OpImageClassify, image, true)
}

// ImageDetection runs object detection on an encoded image and returns the
// name of the output image.
func (s *Session) ImageDetection(image []byte) (string, error) {
	_, n, err := s.image(OpImageDetect, image, false)
	return n, err
}

// ImageSegmentation runs segmentation on an encoded image and returns the
// name of the output image.
func (s *Session) ImageSegmentation(image []byte) (string, error) {
	_, n, err := s.image(OpImageSegment, image, false)
	return n, err
}

// ImagePose runs pose estimation on an encoded image and returns the name
// of the output image.
func (s *Session) ImagePose(image []byte) (string, error) {
	_, n, err := s.image(OpImagePose, image, false)
	return n, err
}

// ImageDepth runs depth estimation on an encoded image and returns the name
// of the output image.
func (s *Session) ImageDepth(image []byte) (string, error) {
	_, n, err := s.image(OpImageDepth, image, false)
	return n, err
}

func (s *Session) image(op OpType, image []byte, withText bool) (string, string, error) {
	var text []byte
	if withText {
		text = make([]byte, ImageOutputSize)
	}
	name := make([]byte, ImageOutputSize)
	err := s.do(op.imageOpName(), func(h sessionHandle) error {
		return cImage(op, h, image, text, name)
	})
	if err != nil {
		return "", "", err
	}
	return cText(text), cText(name), nil
}

// cText is the NUL-terminated string at the start of b.
func cText(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
